import { renderConfigDocs } from './config-docs.ts';
import { writeOrCheck } from './generated-doc.ts';

writeOrCheck({
  path: 'docs/config.md',
  rendered: renderConfigDocs(),
  source: 'the config schemas',
  script: 'docs:config',
});
