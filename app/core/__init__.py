"""Pages and error handling that belong to no one domain: the start page, accessibility, errors."""
