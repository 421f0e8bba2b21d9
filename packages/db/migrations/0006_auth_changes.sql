-- Every change that can take access away (a key revoked or deleted, an agency's status changed or
-- the agency deleted) is published on the channel `auth_changed` when its transaction commits,
-- whichever process or tool made it: gateways drop the keys they have cached at once.
CREATE FUNCTION notify_auth_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_notify('auth_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_changed
  AFTER UPDATE OR DELETE ON api_keys
  FOR EACH STATEMENT
  EXECUTE FUNCTION notify_auth_changed();
--> statement-breakpoint
CREATE TRIGGER agencies_changed
  AFTER UPDATE OR DELETE ON agencies
  FOR EACH STATEMENT
  EXECUTE FUNCTION notify_auth_changed();
