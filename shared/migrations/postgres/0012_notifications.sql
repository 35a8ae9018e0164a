-- Notifications (issue 12; shared/notifications). The dispatcher turns each notification-worthy event into
-- one inbox item per recipient and one delivery per (recipient, channel); a sender per channel delivers it.
--
-- notification_settings      one row per user who changed anything (absent: the defaults): language,
--                            time zone, quiet hours, daily digest, the linked Telegram chat, and a channel
--                            turned off by the channel itself (the user blocked the bot) with the reason.
-- notification_preferences   overrides of the defaults (shared/notifications/kinds.json) per kind x channel.
-- notifications              the in-app inbox (GET /v1/notifications): one per (event, recipient).
-- notification_deliveries    one per dedup key (event id, recipient, channel): its rendered content and its
--                            state (queued -> sent | failed; deferred until quiet hours end; digest until the
--                            daily digest; suppressed by preference or a channel the user lacks). The unique
--                            dedup key is what makes a redelivered event, queue message or retried sender
--                            never send twice. enqueued_at is set once the queue accepted it (a dispatcher that
--                            died before that re-enqueues on the event's redelivery).
-- notification_attempts      every sender attempt, with its outcome and reason: the delivery log.
-- telegram_link_tokens       one-time tokens of POST /v1/notifications/telegram/link (only their hash).
-- push_subscriptions         a user's browsers (RFC 8030 subscriptions); a 404/410 from the push service
--                            removes one.
CREATE TABLE notification_settings (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    language VARCHAR(2) NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
    time_zone VARCHAR(64) NOT NULL DEFAULT 'Europe/Moscow',
    quiet_start TIME,
    quiet_end TIME,
    digest BOOLEAN NOT NULL DEFAULT FALSE,
    telegram_chat_id BIGINT,
    telegram_linked_at TIMESTAMPTZ,
    telegram_disabled_reason VARCHAR(300),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT quiet_hours_both_or_none CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
CREATE UNIQUE INDEX idx_notification_settings_chat ON notification_settings (telegram_chat_id)
    WHERE telegram_chat_id IS NOT NULL;

CREATE TABLE notification_preferences (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind VARCHAR(64) NOT NULL,  -- a key of kinds.json, or '*' for every kind
    channel VARCHAR(16) NOT NULL CHECK (channel IN ('email', 'telegram', 'push', 'inapp')),
    enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (user_id, kind, channel)
);

CREATE TABLE notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id UUID NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    kind VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    read_at TIMESTAMPTZ,
    UNIQUE (event_id, user_id)
);
CREATE INDEX idx_notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX idx_notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_deliveries (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    dedup_key VARCHAR(200) NOT NULL UNIQUE,  -- "<event_id>:<user_id>:<channel>" (digests: "digest:<user>:<date>")
    event_id UUID,
    event_type VARCHAR(100) NOT NULL,
    kind VARCHAR(64) NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel VARCHAR(16) NOT NULL CHECK (channel IN ('email', 'telegram', 'push')),
    status VARCHAR(16) NOT NULL
        CHECK (status IN ('queued', 'sent', 'failed', 'deferred', 'digest', 'digested', 'suppressed')),
    reason VARCHAR(500),
    content JSONB NOT NULL DEFAULT '{}',  -- what the sender sends: rendered subject/text/html, or html, or a push payload
    deliver_after TIMESTAMPTZ,            -- deferred: when the recipient's quiet hours end
    enqueued_at TIMESTAMPTZ,
    attempts INT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    sent_at TIMESTAMPTZ
);
CREATE INDEX idx_notification_deliveries_due ON notification_deliveries (deliver_after) WHERE status = 'deferred';
CREATE INDEX idx_notification_deliveries_digest ON notification_deliveries (user_id) WHERE status = 'digest';
CREATE INDEX idx_notification_deliveries_unsent ON notification_deliveries (created_at)
    WHERE status = 'queued' AND enqueued_at IS NULL;
CREATE INDEX idx_notification_deliveries_event ON notification_deliveries (event_id);

CREATE TABLE notification_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id UUID NOT NULL REFERENCES notification_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    outcome VARCHAR(16) NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'skipped')),
    reason VARCHAR(500)
);
CREATE INDEX idx_notification_attempts_delivery ON notification_attempts (delivery_id, attempted_at);

CREATE TABLE telegram_link_tokens (
    token_hash CHAR(64) PRIMARY KEY,  -- sha256 hex of the token in the deep link
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE push_subscriptions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    user_agent VARCHAR(300),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_success_at TIMESTAMPTZ
);
CREATE INDEX idx_push_subscriptions_user ON push_subscriptions (user_id);
