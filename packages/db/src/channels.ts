/** The NOTIFY channel on which every change of a file's optimization status is published. */
export const MEDIA_UPDATED_CHANNEL = "media_updated";

export interface MediaUpdatedNotification {
  id: number;
  agencyId: number;
  optimization: "pending" | "in_progress" | "success" | "failed";
}
