"""What people read: alarm descriptions, compliance evidence and the generated reference docs."""
