-- Every change of a file's optimization status is published on the channel `media_updated`
-- (payload: {"id", "agencyId", "optimization"}), whichever process made it, when its transaction commits.
CREATE FUNCTION notify_media_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_notify(
    'media_updated',
    json_build_object('id', NEW.id, 'agencyId', NEW.agency_id, 'optimization', NEW.optimization)::text
  );
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER media_optimization_changed
  AFTER INSERT OR UPDATE OF optimization ON media
  FOR EACH ROW
  EXECUTE FUNCTION notify_media_updated();
