import type { RefineIssue } from '../../protocol/index.ts';
import type { EdgeConfig } from './schema.ts';

/** What JSON Schema cannot say: cross-field rules of the config. */
export function refineConfig(config: EdgeConfig): RefineIssue[] {
  const issues: RefineIssue[] = [];
  const seen = new Map<string, number>();
  config.cameras.forEach((cam, i) => {
    const at = `/cameras/${i}`;
    const first = seen.get(cam.id);
    if (first !== undefined) issues.push({ path: `${at}/id`, message: `duplicates /cameras/${first}/id "${cam.id}"` });
    else seen.set(cam.id, i);
    const src = cam.source;
    if (src.type === 'rtsp' && src.url === undefined)
      issues.push({ path: `${at}/source/url`, message: 'is required when type is rtsp' });
    const needsPath = src.type === 'file' || src.type === 'images';
    if (src.type === 'simulated' && src.simulation === undefined)
      issues.push({ path: `${at}/source/simulation`, message: 'is required when type is simulated' });
    if (src.type !== 'simulated' && src.simulation !== undefined)
      issues.push({ path: `${at}/source/simulation`, message: 'is only for type simulated' });
    if (needsPath && src.path === undefined)
      issues.push({ path: `${at}/source/path`, message: `is required when type is ${src.type}` });
    if (!needsPath && src.path !== undefined)
      issues.push({ path: `${at}/source/path`, message: 'is only for type file or images' });
    if (src.type !== 'rtsp' && src.url !== undefined)
      issues.push({ path: `${at}/source/url`, message: 'is only for type rtsp' });
    if ((src.width === undefined) !== (src.height === undefined))
      issues.push({
        path: `${at}/source/${src.width === undefined ? 'width' : 'height'}`,
        message: 'is required with width/height; give both or neither',
      });
    if (cam.reconnect.max_s < cam.reconnect.initial_s)
      issues.push({ path: `${at}/reconnect/max_s`, message: 'must be at least initial_s' });
    if (cam.stall_timeout_s * cam.sample_rate_fps < 2)
      issues.push({ path: `${at}/stall_timeout_s`, message: 'must span at least two frames at sample_rate_fps' });
  });
  return issues;
}
