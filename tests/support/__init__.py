"""The one home of what tests share: factories, sign-in and form helpers, live servers."""
