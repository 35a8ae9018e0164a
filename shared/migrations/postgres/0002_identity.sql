-- Identity: accounts, rotating refresh tokens, and the append-only audit log of every write.
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(320) NOT NULL,
    password_hash TEXT NOT NULL,
    full_name VARCHAR(200),
    roles VARCHAR(50)[] NOT NULL DEFAULT '{free_user}',
    company_id UUID REFERENCES companies(id),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    last_login_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT valid_roles CHECK (roles <@ ARRAY['free_user', 'paid_user', 'company_admin', 'platform_admin']::VARCHAR[])
);
CREATE UNIQUE INDEX idx_users_email ON users (lower(email));
CREATE INDEX idx_users_company ON users (company_id);

-- Refresh tokens rotate on every use; a family is every token descended from one login, so the
-- reuse of a spent token revokes the whole family. Only a hash of the token is stored.
CREATE TABLE refresh_tokens (
    token_hash CHAR(64) PRIMARY KEY,
    family_id UUID NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    issued_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX idx_refresh_family ON refresh_tokens (family_id);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    actor_id UUID,
    action VARCHAR(100) NOT NULL,
    resource_type VARCHAR(50) NOT NULL,
    resource_id VARCHAR(100),
    source_ip VARCHAR(64),
    user_agent VARCHAR(500),
    request_id VARCHAR(100),
    change JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_audit_actor ON audit_log (actor_id, at);
CREATE INDEX idx_audit_resource ON audit_log (resource_type, resource_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
