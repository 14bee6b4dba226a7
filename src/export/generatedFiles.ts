/** Files the export writes besides the site's own: public files of the same name are not copied. */
export const MANIFEST_FILE = '.export-manifest.json';
export const GENERATED_FILES = ['_headers', '_redirects', 'headers.nginx.conf', 'redirects.nginx.conf', MANIFEST_FILE] as const;
