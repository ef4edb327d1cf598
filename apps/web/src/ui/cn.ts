// Class names joined, falsy ones left out.
export { clsx as cn } from 'clsx';
