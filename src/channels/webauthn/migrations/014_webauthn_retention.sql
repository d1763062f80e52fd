-- The maintenance sweep deletes ended passkey pages' rows by age (docs/webauthn-channel.md, "What is
-- kept, and for how long"); these indexes let it find the oldest without reading the whole table.
CREATE INDEX webauthn_registration_links_created ON webauthn_registration_links (created_at);
CREATE INDEX webauthn_confirmations_created ON webauthn_confirmations (created_at);
