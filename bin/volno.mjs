#!/usr/bin/env node
// Volno ships TypeScript sources and runs them through tsx's loader, so there is no build step to
// forget on an edge box; `npm run typecheck` keeps the sources honest.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
