// Where the plain-JSON API lives. Its own module so the server can route to it without loading the OpenAPI code.
export const REST_BASE_PATH = '/api/v1';
