"""UI pieces of the notifications domain (the navbar bell)."""
