/**
 * The list's label filter (tasks with all of these labels): the chosen
 * labels as buttons that remove them, and a field that adds one on Enter or
 * a comma, suggesting the labels in use (GET /labels). Native elements, not
 * the form's React Aria labels input: the list is the first view, and that
 * input's combo box and tag grid would add about 37 KB of gzip JavaScript.
 */
import { type ChangeEvent, type KeyboardEvent, useId, useState } from 'react';
import { useLabelSuggestions } from '../api/labels.ts';
import { FieldError } from '../components/FieldError.tsx';
import { addLabels } from '../lib/planning.ts';
import '../components/controls.css';

interface Props {
  value: string[];
  onChange(labels: string[]): void;
}

export function LabelFilter({ value, onChange }: Props) {
  const id = useId();
  const suggestions = useLabelSuggestions();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const add = (input: string) => {
    const result = addLabels(value, input);
    if (result.labels.length !== value.length) onChange(result.labels);
    setProblem(result.problem);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === ',' || (event.key === 'Enter' && text.trim() !== '')) {
      event.preventDefault();
      add(text);
    } else if (event.key === 'Backspace' && text === '' && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };
  // A suggestion picked from the list (not typed) is added at once.
  const onInput = (event: ChangeEvent<HTMLInputElement>) => {
    const picked = (event.nativeEvent as InputEvent).inputType === 'insertReplacementText';
    if (picked) add(event.target.value);
    else setText(event.target.value);
  };
  const taken = new Set(value.map((label) => label.toLowerCase()));
  return (
    <div className="field label-filter">
      <label htmlFor={`${id}-input`}>Labels (all of)</label>
      <div className="label-filter-box">
        {value.map((label) => (
          <button
            key={label}
            type="button"
            className="chip removable"
            aria-label={`Remove the label filter ${label}`}
            onClick={() => onChange(value.filter((other) => other !== label))}
          >
            {label} <span aria-hidden="true">×</span>
          </button>
        ))}
        <input
          id={`${id}-input`}
          list={`${id}-suggestions`}
          value={text}
          placeholder={value.length === 0 ? 'Any label' : 'And…'}
          autoComplete="off"
          aria-describedby={problem ? `${id}-error` : undefined}
          onChange={onInput}
          onKeyDown={onKeyDown}
        />
      </div>
      <datalist id={`${id}-suggestions`}>
        {suggestions
          .filter((label) => !taken.has(label.toLowerCase()))
          .map((label) => (
            <option key={label} value={label} />
          ))}
      </datalist>
      <FieldError id={`${id}-error`} message={problem} />
    </div>
  );
}
