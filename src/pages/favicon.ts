/**
 * The pages' icon: the brand's square in its accent colour. Served by Switchyard itself (no
 * external asset), so browsers find one instead of logging a 404 for `/favicon.ico`.
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1" y="1" width="14" height="14" rx="3" fill="#0a58ca"/></svg>';
