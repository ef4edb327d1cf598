// Labelled form controls: every input has a visible label tied to it, and an optional hint below.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';
import { cn } from './cn.ts';

export const inputClass =
  'w-full rounded-lg border border-border bg-raised px-3 py-2 text-sm text-fg placeholder:text-muted focus-visible:outline-2 focus-visible:outline-accent';

function Labelled({
  label,
  hint,
  id,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  id: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {hint && <p className="text-xs text-muted">{hint}</p>}
    </div>
  );
}

type WithLabel = { label: ReactNode; hint?: ReactNode };

export function TextField({ label, hint, className, ...props }: WithLabel & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <Labelled label={label} hint={hint} id={props.id ?? id}>
      <input id={props.id ?? id} className={cn(inputClass, className)} {...props} />
    </Labelled>
  );
}

export function TextAreaField({
  label,
  hint,
  className,
  ...props
}: WithLabel & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <Labelled label={label} hint={hint} id={props.id ?? id}>
      <textarea id={props.id ?? id} className={cn(inputClass, 'min-h-24', className)} {...props} />
    </Labelled>
  );
}

export function SelectField({
  label,
  hint,
  className,
  children,
  ...props
}: WithLabel & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <Labelled label={label} hint={hint} id={props.id ?? id}>
      <select id={props.id ?? id} className={cn(inputClass, className)} {...props}>
        {children}
      </select>
    </Labelled>
  );
}
