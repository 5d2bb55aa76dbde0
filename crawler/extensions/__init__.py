"""Extensions of newsfold."""
