"""Static site generator for Archive.fm podcast transcript archives."""
