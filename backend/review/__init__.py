"""Review of submitted visits (/manage/review)."""
