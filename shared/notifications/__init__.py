"""Notifications (issue 12): the one way the platform speaks to a person.

`notification.events` -> the dispatcher (recipients, preferences, quiet hours, rendering, the inbox, one
message per channel on that channel's queue) -> one sender per channel (email over SMTP, Telegram Bot
API, web push). Every message carries a dedup key (event id, recipient, channel) and every attempt is
in the delivery log.
"""
