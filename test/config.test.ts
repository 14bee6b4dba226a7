import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, testConfig } from '../src/config.js';

const CWD = '/srv/site';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const c = loadConfig({}, CWD);
    expect(c).toEqual({
      port: 3000,
      host: '0.0.0.0',
      contentDir: '/srv/site/content',
      publicDir: '/srv/site/public',
      siteUrl: 'http://localhost:3000',
      siteName: 'Newsroom',
      siteLang: 'en',
      siteTimezone: 'UTC',
      siteLogo: undefined,
      preview: false,
      logLevel: 'info',
      nodeEnv: 'development',
      pageSize: 10,
      cacheMaxAge: 60,
      maxArticleBytes: 1_048_576,
      webConcurrency: 1,
      trustProxy: false,
      warnings: [],
    });
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        CONTENT_DIR: '/data/articles/',
        PUBLIC_DIR: 'static',
        SITE_URL: 'https://news.example/',
        SITE_NAME: 'The Daily Example',
        SITE_LANG: 'fr-CA',
        SITE_TIMEZONE: 'America/New_York',
        SITE_LOGO: '/images/logo.png',
        PREVIEW: 'true',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        PAGE_SIZE: '20',
        CACHE_MAX_AGE: '0',
        MAX_ARTICLE_BYTES: '2048',
        WEB_CONCURRENCY: '2',
        TRUST_PROXY: 'loopback',
      },
      CWD,
    );
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      contentDir: '/data/articles',
      publicDir: '/srv/site/static',
      siteUrl: 'https://news.example',
      siteName: 'The Daily Example',
      siteLang: 'fr-CA',
      siteTimezone: 'America/New_York',
      siteLogo: '/images/logo.png',
      preview: true,
      logLevel: 'warn',
      nodeEnv: 'production',
      pageSize: 20,
      cacheMaxAge: 0,
      maxArticleBytes: 2048,
      webConcurrency: 2,
      trustProxy: 'loopback',
      warnings: [],
    });
  });

  it('defaults SITE_URL to the port, and warns about it only in production', () => {
    expect(loadConfig({ PORT: '4000' }, CWD).siteUrl).toBe('http://localhost:4000');
    expect(loadConfig({ PORT: '4000' }, CWD).warnings).toEqual([]);
    expect(loadConfig({ PORT: '4000', NODE_ENV: 'production' }, CWD).warnings).toEqual([
      'SITE_URL is not set: absolute links will point at http://localhost:4000',
    ]);
  });

  it('normalises SITE_URL to an origin (and base path) without a trailing slash', () => {
    const url = (SITE_URL: string): string => loadConfig({ SITE_URL }, CWD).siteUrl;
    expect(url('https://News.Example/')).toBe('https://news.example');
    expect(url('https://news.example:443/')).toBe('https://news.example');
    expect(url('http://news.example:8080')).toBe('http://news.example:8080');
    expect(url('https://example.org/news///')).toBe('https://example.org/news');
    expect(url('  https://news.example  ')).toBe('https://news.example');
  });

  it('accepts the spellings of true and false for PREVIEW', () => {
    for (const v of ['1', 'true', 'TRUE', 'yes', 'on']) expect(loadConfig({ PREVIEW: v }, CWD).preview).toBe(true);
    for (const v of ['0', 'false', 'no', 'off', '']) expect(loadConfig({ PREVIEW: v }, CWD).preview).toBe(false);
  });

  it.each([
    ['PORT', 'abc', 'PORT: "abc" is not a whole number'],
    ['PORT', '-1', 'PORT: "-1" is not a whole number'],
    ['PORT', '70000', 'PORT: 70000 is outside 0-65535'],
    ['SITE_URL', 'news.example', 'SITE_URL: "news.example" is not an absolute URL'],
    ['SITE_URL', 'ftp://news.example', 'SITE_URL: must start with http:// or https://'],
    ['SITE_URL', 'https://news.example/?a=1', 'SITE_URL: must not carry a query, fragment or credentials'],
    ['SITE_URL', 'https://user:pw@news.example', 'SITE_URL: must not carry a query, fragment or credentials'],
    ['SITE_LANG', 'english!', 'SITE_LANG: "english!" is not a language tag such as en or fr-CA'],
    ['SITE_TIMEZONE', 'Mars/Olympus', 'SITE_TIMEZONE: "Mars/Olympus" is not an IANA time zone such as Europe/Paris'],
    ['SITE_LOGO', 'logo.png', 'SITE_LOGO: "logo.png" must be a site-relative path under public/, such as /images/logo.png'],
    ['SITE_LOGO', '/../secret.png', 'SITE_LOGO: "/../secret.png" must be a site-relative path under public/, such as /images/logo.png'],
    ['PREVIEW', 'maybe', 'PREVIEW: "maybe" is not true or false'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent'],
    ['PAGE_SIZE', '0', 'PAGE_SIZE: 0 is outside 1-100'],
    ['CACHE_MAX_AGE', '1.5', 'CACHE_MAX_AGE: "1.5" is not a whole number'],
    ['MAX_ARTICLE_BYTES', '10', 'MAX_ARTICLE_BYTES: 10 is outside 1024-67108864'],
    ['WEB_CONCURRENCY', '0', 'WEB_CONCURRENCY: 0 is outside 1-64'],
    ['TRUST_PROXY', '$(rm -rf /)', 'TRUST_PROXY: "$(rm -rf /)" is not a hop count, address list or preset such as loopback'],
  ])('refuses %s=%j with a ConfigError naming it', (variable, value, message) => {
    const err = configError({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toBe(message);
    expect(err.name).toBe('ConfigError');
  });

  it('returns a frozen object', () => {
    const c = loadConfig({}, CWD);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.warnings)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads only the environment it is given', () => {
    const saved = process.env.SITE_NAME;
    process.env.SITE_NAME = 'Leaked From process.env';
    try {
      expect(loadConfig({}, CWD).siteName).toBe('Newsroom');
    } finally {
      if (saved === undefined) delete process.env.SITE_NAME;
      else process.env.SITE_NAME = saved;
    }
  });
});

describe('testConfig', () => {
  it('is quiet, in test mode, with a fixed SITE_URL, and takes overrides', () => {
    const c = testConfig({ SITE_NAME: 'Test Times', PREVIEW: 'true' });
    expect(c.logLevel).toBe('silent');
    expect(c.nodeEnv).toBe('test');
    expect(c.siteUrl).toBe('https://news.example');
    expect(c.siteName).toBe('Test Times');
    expect(c.preview).toBe(true);
  });
});
