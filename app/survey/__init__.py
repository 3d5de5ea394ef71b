"""The anonymous survey: links, single-use codes and responses."""
