/**
 * `${NAME}` placeholders in config strings are replaced by environment variables, so credentials live
 * in the service's environment (systemd `EnvironmentFile=`, a container secret), never in the file.
 * Substitution is one pass: a value taken from the environment is never scanned again.
 */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface EnvIssue {
  path: string;
  message: string;
}

/** Returns a copy of `value` with placeholders substituted, and one issue per unset variable. */
export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path = '',
): { value: unknown; issues: EnvIssue[] } {
  const issues: EnvIssue[] = [];
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(PLACEHOLDER, (whole, name: string) => {
        const found = env[name];
        if (found === undefined) {
          issues.push({ path: p || '/', message: `environment variable ${name} is not set` });
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${p}/${i}`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, `${p}/${k}`)]));
    }
    return v;
  };
  return { value: walk(value, path), issues };
}
