"""Action plans (rule 13): after close, what the organisation will do about chosen statements."""
