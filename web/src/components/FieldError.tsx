/** A field's message (a 422's, or the app's own check), announced when it appears; empty, it takes no room. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <p className="field-error" id={id} role={message ? 'alert' : undefined}>
      {message}
    </p>
  );
}
