// The chat module's public face.
export { exportChatsJson } from './export.ts';
export { IMPORT_PATH, importRoutePlugin } from './import-route.ts';
export { chatRouter } from './router.ts';
export { ChatSchema } from './schema.ts';
export { exportChats } from './service.ts';
