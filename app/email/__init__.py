"""Email: messages composed from templates, sent by SMTP or written to the outbox folder."""
