// The one place that reads process.env. Everything else receives a Config.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly contentDir: string;
  readonly publicDir: string;
  readonly siteUrl: string; // origin (and optional base path) without a trailing slash
  readonly siteName: string;
  readonly siteLang: string;
  readonly siteTimezone: string;
  readonly siteLogo: string | undefined;
  readonly preview: boolean;
  readonly logLevel: LogLevel;
  readonly nodeEnv: string;
  readonly pageSize: number;
  readonly cacheMaxAge: number;
  readonly maxArticleBytes: number;
  readonly webConcurrency: number;
  readonly trustProxy: string | false;
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(name, `${n} is outside ${min}-${max}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `"${raw}" is not true or false`);
}

function timezone(raw: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError('SITE_TIMEZONE', `"${raw}" is not an IANA time zone such as Europe/Paris`);
  }
}

function siteUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SITE_URL', `"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('SITE_URL', 'must start with http:// or https://');
  if (url.search || url.hash || url.username || url.password) throw new ConfigError('SITE_URL', 'must not carry a query, fragment or credentials');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Reads and validates the environment once; throws ConfigError naming the variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const warnings: string[] = [];
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `"${env.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}`);
  const lang = env.SITE_LANG?.trim() || 'en';
  if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(lang)) throw new ConfigError('SITE_LANG', `"${lang}" is not a language tag such as en or fr-CA`);
  let url: string;
  if (env.SITE_URL?.trim()) url = siteUrl(env.SITE_URL.trim());
  else {
    url = `http://localhost:${port}`;
    if (nodeEnv === 'production') warnings.push(`SITE_URL is not set: absolute links will point at ${url}`);
  }
  const logo = env.SITE_LOGO?.trim() || undefined;
  if (logo !== undefined && (!logo.startsWith('/') || logo.startsWith('//') || logo.split('/').includes('..'))) {
    throw new ConfigError('SITE_LOGO', `"${logo}" must be a site-relative path under public/, such as /images/logo.png`);
  }
  const trust = env.TRUST_PROXY?.trim();
  let trustProxy: string | false = false;
  if (trust && !['0', 'false', 'no', 'off'].includes(trust.toLowerCase())) {
    if (!/^[\w.:/, -]+$/.test(trust)) throw new ConfigError('TRUST_PROXY', `"${trust}" is not a hop count, address list or preset such as loopback`);
    trustProxy = trust;
  }
  const resolve = (p: string): string => (p.startsWith('/') ? p : `${cwd.replace(/\/+$/, '')}/${p.replace(/^\.\//, '')}`);
  return Object.freeze({
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    contentDir: resolve(env.CONTENT_DIR?.trim() || './content').replace(/\/+$/, ''),
    publicDir: resolve(env.PUBLIC_DIR?.trim() || './public').replace(/\/+$/, ''),
    siteUrl: url,
    siteName: env.SITE_NAME?.trim() || 'Newsroom',
    siteLang: lang,
    siteTimezone: timezone(env.SITE_TIMEZONE?.trim() || 'UTC'),
    siteLogo: logo,
    preview: bool(env, 'PREVIEW', false),
    logLevel,
    nodeEnv,
    pageSize: int(env, 'PAGE_SIZE', 10, 1, 100),
    cacheMaxAge: int(env, 'CACHE_MAX_AGE', 60, 0, 31_536_000),
    maxArticleBytes: int(env, 'MAX_ARTICLE_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    webConcurrency: int(env, 'WEB_CONCURRENCY', 1, 1, 64),
    trustProxy,
    warnings: Object.freeze(warnings),
  });
}

/** A config for tests and tools: defaults plus overrides, without touching process.env. */
export function testConfig(overrides: Partial<Record<string, string>> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SITE_URL: 'https://news.example', ...overrides });
}
