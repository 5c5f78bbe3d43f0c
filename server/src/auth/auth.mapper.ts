import { asView } from '../common/view-type.js';
import { ViewerView } from './auth.types.js';
import type { Viewer } from '../access/access.viewer.js';

export function toViewerView(viewer: Viewer): ViewerView {
  return asView(ViewerView, { id: viewer.id, username: viewer.name, role: viewer.role, crewId: viewer.crewId });
}
