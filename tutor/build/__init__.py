"""`tutor build`: a lesson source (lesson.toml + seed/) executed for real into a lesson."""
