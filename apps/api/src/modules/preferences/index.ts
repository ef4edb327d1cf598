// The preferences module's public face (its procedures live under users.*).
export { PreferencesSchema, UpdatePreferencesInput } from './schema.ts';
export { getPreferences, updatePreferences } from './service.ts';
