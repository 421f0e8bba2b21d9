/** The NOTIFY channel on which every change of a file's optimization status is published. */
export const MEDIA_UPDATED_CHANNEL = "media_updated";

export interface MediaUpdatedNotification {
  id: number;
  agencyId: number;
  optimization: "pending" | "in_progress" | "success" | "failed";
}

/**
 * The NOTIFY channel on which every change that can take access away (a key revoked or deleted, an
 * agency's status changed or the agency deleted) is published; the payload is the table's name.
 */
export const AUTH_CHANGED_CHANNEL = "auth_changed";
