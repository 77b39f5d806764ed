// The import rules of docs/architecture.md, checked by `npm run depcruise` (part of `npm test`).
// Paths are relative to the repository root. Features are the server's vertical slices; server/core is the
// kernel they stand on; server/main is the composition root, the one place that knows every feature.
// Every folder of server/ but core/ and main/ is a feature (availability, calibration, ingest, …), so a
// new feature is covered the day its folder appears.
const feature = '(?!core/|main/)([^/]+)';
// Entry points: processes, deploy tools and harnesses that may build the whole server or load its config.
const entries = '^(bin|cli|test|bench|scripts|deploy)/';

/* global module */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one; split the shared part out (usually into server/core or kit/).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'feature-imports-feature',
      severity: 'error',
      comment:
        'Features never import features. What one needs from another is an interface or event in server/core ' +
        'that server/main passes in.',
      from: { path: `^server/${feature}/` },
      to: { path: `^server/${feature}/`, pathNot: '^server/$1/' },
    },
    {
      name: 'core-imports-feature',
      severity: 'error',
      comment: 'server/core is the kernel: it knows no feature and not the composition root.',
      from: { path: '^server/core/' },
      to: { path: [`^server/${feature}/`, '^server/main/'] },
    },
    {
      name: 'main-imported',
      severity: 'error',
      comment: 'Only entry points (bin/, cli/, deploy/, tests, benches, scripts) build the whole server.',
      from: { path: '^server/', pathNot: '^server/main/' },
      to: { path: '^server/main/' },
    },
    {
      name: 'main-imported-outside-server',
      severity: 'error',
      comment: 'Only entry points (bin/, cli/, deploy/, tests, benches, scripts) build the whole server.',
      from: { pathNot: [entries, '^server/'] },
      to: { path: '^server/main/' },
    },
    {
      name: 'edge-imports-server',
      severity: 'error',
      comment: 'edge/ and server/ meet only in protocol/ and kit/ (docs/adr/0004).',
      from: { path: '^edge/' },
      to: { path: '^server/' },
    },
    {
      name: 'server-imports-edge',
      severity: 'error',
      comment: 'edge/ and server/ meet only in protocol/ and kit/ (docs/adr/0004).',
      from: { path: '^server/' },
      to: { path: '^edge/' },
    },
    {
      name: 'protocol-imports-ours',
      severity: 'error',
      comment: 'protocol/ is the wire contract and depends on nothing of ours but kit/.',
      from: { path: '^protocol/' },
      to: { path: '^(edge|server|calibration|models|cli|bin|test|bench|ui)/' },
    },
    {
      name: 'protocol-imports-packages',
      severity: 'error',
      comment: 'protocol/ runs on both sides and in browsers: typebox and node built-ins only.',
      from: { path: '^protocol/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: '^node_modules/typebox/',
      },
    },
    {
      name: 'kit-imports-ours',
      severity: 'error',
      comment: 'kit/ holds non-domain helpers shared by edge and server; it imports nothing of ours.',
      from: { path: '^kit/' },
      to: { path: '^(edge|server|calibration|models|protocol|cli|bin|test|bench|ui)/' },
    },
    {
      name: 'calibration-imports-apps',
      severity: 'error',
      comment: 'calibration/ is the geometry core shared by edge, server and ui: it stands on protocol/ and kit/ only.',
      from: { path: '^calibration/' },
      to: { path: '^(edge|server|models|cli|bin|ui)/' },
    },
    {
      name: 'runtime-imports-models',
      severity: 'error',
      comment: 'models/ is training and evaluation tooling; code that runs in production never imports it.',
      from: { path: '^(edge|server|protocol|calibration|kit|ui)/' },
      to: { path: '^models/' },
    },
    {
      name: 'upwards-into-cli',
      severity: 'error',
      comment: 'cli/ is the top of the stack: only bin/ and tests may import it.',
      from: { pathNot: '^(cli|bin|test|bench|scripts)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'ui-imports-node-code',
      severity: 'error',
      comment: 'ui/ is browser code with its own tsconfig; it may share only protocol/, calibration/ and kit/.',
      from: { path: '^ui/' },
      to: { path: '^(edge|server|models|cli|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
