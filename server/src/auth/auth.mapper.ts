import type { ViewerView } from './auth.types.js';
import type { Viewer } from './viewer.js';

export function toViewerView(viewer: Viewer): ViewerView {
  return { id: viewer.id, username: viewer.name, role: viewer.role, crewId: viewer.crewId };
}
