"""The channel-agnostic dialogue: Inbound in, Replies out, state in the database."""
from .messages import Attachment, Button, Inbound, Reply  # noqa: F401
