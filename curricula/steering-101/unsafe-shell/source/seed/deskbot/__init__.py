"""deskbot: the #builds channel's chat bot."""
