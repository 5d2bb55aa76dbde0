import numpy as np

from crawler.fingerprint import Fingerprinter, overlap, shingle_hashes, tokens

TEXT = " ".join(f"word{i} alpha beta" for i in range(200))


def test_tokens_normalise_case_punctuation_and_width():
    assert tokens("“Hello,” SAID Ｂob — it’s 10%!") == ["hello", "said", "bob", "it", "s", "10"]


def test_tokens_split_scripts_without_spaces():
    assert tokens("日本の経済") == ["日", "本", "の", "経", "済"]
    assert tokens("北京 news") == ["北", "京", "news"]


def test_shingles_are_sorted_unique_uint32():
    hashes = shingle_hashes(tokens(TEXT))
    assert hashes.dtype == np.uint32
    assert list(hashes) == sorted(set(hashes.tolist()))
    assert len(shingle_hashes(["a", "b"])) == 1
    assert len(shingle_hashes([])) == 0


def test_same_text_same_fingerprint_and_punctuation_does_not_matter():
    fp = Fingerprinter(num_perm=128, threshold=0.4, lead_threshold=0.5)
    a = fp.fingerprint(TEXT)
    b = fp.fingerprint(TEXT.upper().replace(" ", " , "))
    assert a.band_keys == b.band_keys
    assert np.array_equal(a.shingles, b.shingles)
    assert len(a.band_keys) == sum(bands for _, bands, _ in fp.bands)


def test_excerpt_shares_lead_bands():
    fp = Fingerprinter(num_perm=128, threshold=0.4, lead_threshold=0.5)
    full = fp.fingerprint(TEXT)
    excerpt = fp.fingerprint(" ".join(TEXT.split()[:150]))
    assert set(full.band_keys) & set(excerpt.band_keys)
    jaccard, containment = overlap(excerpt.shingles, full.shingles)
    assert containment == 1.0
    assert jaccard < 0.3


def test_overlap_of_disjoint_and_empty():
    a = np.array([1, 2, 3], dtype=np.uint32)
    b = np.array([4, 5], dtype=np.uint32)
    assert overlap(a, b) == (0.0, 0.0)
    assert overlap(a, np.zeros(0, dtype=np.uint32)) == (0.0, 0.0)
    assert overlap(a, a) == (1.0, 1.0)
