/**
 * Environment placeholders in config files, one rule set for the edge agent and the server, so a
 * deployment guide's `${NAME}` means the same thing on both sides. Credentials live in the service's
 * environment (systemd `EnvironmentFile=`, a container secret), never in the file.
 *
 * - `${NAME}`: the variable's value; unset or empty is an issue naming the config path.
 * - `${NAME:-fallback}`: the value, or `fallback` when unset or empty (shell semantics).
 * - `$${NAME}`: the literal text `${NAME}` (Docker Compose's escape), for a secret that contains it.
 * - `${A:-${B}}` is an issue: a fallback may not hold a placeholder (a shell would expand it; this
 *   one-pass substitution would have passed its text on as the value).
 *
 * Substitution is one pass: a value taken from the environment is never scanned again, so a secret
 * that happens to contain `${…}` is used as it is.
 */
const PLACEHOLDER = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A problem with one config value, `path` as a JSON pointer (`/mqtt/password`). */
export interface EnvIssue {
  path: string;
  message: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Returns a copy of `value` (any parsed YAML/JSON) with every string's placeholders substituted, and
 * one issue per missing variable. Keys are never substituted: they are the schema's, not the site's.
 */
export function substituteEnv(value: unknown, env: Env, path = ''): { value: unknown; issues: EnvIssue[] } {
  const issues: EnvIssue[] = [];
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === 'string') return substituteString(v, env, p || '/', issues);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${p}/${i}`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, `${p}/${escapePointer(k)}`)]));
    }
    return v;
  };
  return { value: walk(value, path), issues };
}

function substituteString(text: string, env: Env, path: string, issues: EnvIssue[]): string {
  return text.replace(PLACEHOLDER, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped !== undefined) return whole.slice(1);
    // The fallback stops at the first `}`, so `${A:-${B}}` matches as `${A:-${B}` with fallback `${B`.
    if (fallback?.includes('${') === true) {
      issues.push({
        path,
        message: `the fallback of \${${name}:-…} holds a placeholder; nested placeholders are not supported`,
      });
      return whole;
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is ${found === undefined ? 'not set' : 'empty'}` });
    return whole;
  });
}

/** RFC 6901: `~` and `/` inside a key. */
const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
