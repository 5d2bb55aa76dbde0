from pipelines.extraction.language import choose_language, detect

FRENCH = (
    "Le gouvernement a annoncé lundi une nouvelle loi sur la pêche artisanale dans la région. "
    "Les pêcheurs craignent que les quotas ne soient trop bas pour couvrir leurs frais, et "
    "plusieurs syndicats ont appelé à manifester devant la préfecture la semaine prochaine. "
    "Le ministre a promis une concertation avec les professionnels avant la fin du mois, "
    "mais les représentants du secteur restent sceptiques face à ces annonces répétées."
)


def test_detection_works_offline_on_many_scripts():
    assert detect(FRENCH)[0] == "fr"
    assert detect("日本の経済は回復しているが、物価の上昇が家計を圧迫している。")[0] == "ja"
    assert detect("Правительство объявило о новых мерах поддержки фермеров.")[0] == "ru"


def test_declared_language_wins_unless_the_text_plainly_says_otherwise():
    assert choose_language("de-AT", "kurz") == "de"
    assert choose_language(None, FRENCH) == "fr"
    assert choose_language("fr-FR", FRENCH) == "fr"
    assert choose_language("en", FRENCH) == "fr"  # a site-wide lang="en" on a French story
    assert choose_language("en", FRENCH[:100]) == "en"  # too short to overrule
    assert choose_language("not a language", "short") is None
