import { renderMqttDocs } from './mqtt-docs.ts';
import { writeOrCheck } from './generated-doc.ts';

writeOrCheck({ path: 'docs/mqtt.md', rendered: renderMqttDocs(), source: 'protocol/', script: 'docs:mqtt' });
