/**
 * What a seeded task looks like, as one set-based statement: the word lists
 * its title and description are drawn from, its labels, status, priority and
 * dates, all generated inside PostgreSQL (tasks.seed.ts runs it in batches).
 */

// Words for titles and descriptions. A skewed pick (the first words of each
// list come up far more often than the last) gives `q` very common words (a
// quarter of all tasks) and less common ones (a few percent).
// biome-ignore format: word lists read better packed
const VERBS = [
  'Fix', 'Review', 'Update', 'Write', 'Investigate', 'Refactor', 'Test', 'Document', 'Design', 'Deploy',
  'Migrate', 'Clean up', 'Prepare', 'Plan', 'Automate', 'Monitor', 'Optimise', 'Upgrade', 'Remove', 'Add',
  'Draft', 'Benchmark', 'Triage', 'Audit', 'Translate', 'Archive', 'Schedule', 'Publish', 'Validate',
  'Sketch',
];
// biome-ignore format: word lists read better packed
const ADJECTIVES = [
  'new', 'broken', 'slow', 'legacy', 'quarterly', 'monthly', 'flaky', 'customer', 'internal', 'public',
  'mobile', 'shared', 'nightly', 'billing', 'marketing', 'onboarding', 'security', 'regional', 'draft',
  'final', 'experimental', 'deprecated', 'urgent', 'annual', 'multilingual', 'offline', 'encrypted',
  'partner', 'beta',
];
// biome-ignore format: word lists read better packed
const NOUNS = [
  'report', 'dashboard', 'login page', 'invoice', 'release notes', 'API docs', 'database backup',
  'test suite', 'search index', 'email template', 'checkout flow', 'user survey', 'budget', 'roadmap',
  'landing page', 'export job', 'import script', 'style guide', 'cache', 'payment gateway', 'newsletter',
  'contract', 'presentation', 'pipeline', 'certificate', 'sitemap', 'webhook', 'spreadsheet', 'data model',
  'audit log', 'permissions', 'notification service', 'style sheet', 'load balancer', 'help centre',
  'glossary', 'warehouse sync', 'price list', 'kanban board', 'mailing list', 'firmware',
  'translation memory',
];
// biome-ignore format: word lists read better packed
const AREAS = [
  'the website', 'the mobile app', 'finance', 'support', 'the Berlin office', 'sales', 'Q3', 'Q4',
  'the board', 'the launch', 'customer success', 'the data team', 'legal', 'procurement', 'the conference',
  'the audit', 'the Lisbon office', 'the partner portal', 'operations', 'recruiting',
];
// biome-ignore format: word lists read better packed
const OPENINGS = [
  'Customers reported that the', 'Noticed during the last release that the',
  'As discussed in the standup, the', 'Follow-up from the retrospective: the',
  'Support tickets mention that the', 'The monitoring shows that the', 'According to the analytics, the',
  'Legal asked whether the', 'Before the migration, the', 'After the upgrade, the',
];
// biome-ignore format: word lists read better packed
const PROBLEMS = [
  'times out under load', 'shows stale numbers', 'needs a second review', 'is missing translations',
  'fails on the first try', 'ignores the time zone', 'is hard to find', 'uses an outdated layout',
  'duplicates some entries', 'breaks on small screens', 'is not accessible', 'leaks memory overnight',
  'rounds totals the wrong way', 'sends the email twice', 'needs an owner', 'lacks tests',
];
// biome-ignore format: word lists read better packed
const NEXT_STEPS = [
  'Check the logs and write down the steps to reproduce.', 'Agree on a deadline with the team.',
  'Add a regression test before changing anything.', 'Ask for feedback in the weekly sync.',
  'Compare with the numbers from last year.', 'Link the related tickets here.',
  'Estimate the effort and split it into smaller tasks.', 'Update the runbook once done.',
  'Pair with someone from the platform team.', 'Measure before and after.',
  'Keep the old behaviour behind a feature flag.', 'Notify the stakeholders when it ships.',
];
// Contact names, in about a quarter of the tasks: 2,000 combinations, the long
// tail for `q` (a full name is in about 1 task in 8,000, a surname in 1 in 200).
// biome-ignore format: word lists read better packed
const FIRST_NAMES = [
  'Amara', 'Bruno', 'Chen', 'Dmitri', 'Elena', 'Farah', 'Gustavo', 'Hana', 'Ingrid', 'Jamal', 'Kenji',
  'Lucia', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tamar', 'Umar', 'Valentina',
  'Wei', 'Ximena', 'Yusuf', 'Zofia', 'Aoife', 'Bjorn', 'Chiara', 'Dario', 'Emeka', 'Fatima', 'Goran',
  'Helga', 'Ishaan', 'Joanna', 'Kwame', 'Leila', 'Marek', 'Noor',
];
// biome-ignore format: word lists read better packed
const SURNAMES = [
  'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Kowalski', 'Haddad', 'Fernandes', 'Novak', 'Schmidt', 'Rossi',
  'Nakamura', 'Oliveira', 'Petrov', 'Quispe', 'Rahman', 'Sorensen', 'Takahashi', 'Urquhart', 'Varga',
  'Wojcik', 'Yilmaz', 'Zhang', 'Abara', 'Bianchi', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gallagher',
  'Horvat', 'Ivanova', 'Jensen', 'Kruger', 'Larsen', 'Mensah', 'Nieminen', 'Ortega', 'Papadopoulos', 'Reyes',
  'Steiner', 'Toivonen', 'Ueda', 'Vasquez', 'Weber', 'Xu', 'Yamamoto', 'Zeller', 'Achebe', 'Bergstrom',
  'Costa',
];

// Labels a team might use, in three groups in alphabetical order (a task gets at most one of
// each, so its labels are a set in the order the API keeps them); the first of each group is common.
// biome-ignore format: word lists read better packed
const LABELS = [
  ['backend', 'bug', 'accessibility', 'billing', 'blocked', 'compliance', 'customer', 'data', 'design', 'docs'],
  ['frontend', 'finance', 'hiring', 'i18n', 'infra', 'legal', 'marketing', 'mobile', 'onboarding', 'ops'],
  ['security', 'performance', 'partner', 'q3-goals', 'release', 'research', 'sales', 'support', 'tech-debt', 'ux'],
] as const;

/** 45% done, 20% in progress, 35% to do: one uniform pick from twenty. */
const STATUS_MIX = [
  ...Array<string>(9).fill('done'),
  ...Array<string>(4).fill('in_progress'),
  ...Array<string>(7).fill('todo'),
];

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
/** A random element of `words`, the first ones more often (skew 1 = uniform). */
const pick = (words: readonly string[], skew = 1.6) =>
  `(ARRAY[${words.map(literal).join(',')}])[1 + floor(power(random(), ${skew}) * ${words.length})::int]`;

/**
 * One batch: rows `$1..$2`, `created_at` evenly through the span starting
 * at `$3` (a step of `$4` µs per row, jittered within the step; `$5` is now),
 * owners picked from `$6`, the first ones far more often.
 * The id is UUIDv7 (RFC 9562): the 48-bit Unix millisecond of `created_at`,
 * version 7, then the random bits (and the RFC variant bits) of a v4 UUID.
 */
export const INSERT_BATCH = `
INSERT INTO tasks (id, title, description, status, owner_id, created_at, updated_at, version,
  due_at, priority, labels, completed_at)
SELECT
  encode(set_byte(
    overlay(u.random_bytes PLACING substring(int8send((extract(epoch FROM u.created_at) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    6, (get_byte(u.random_bytes, 6) & 15) | 112), 'hex')::uuid,
  u.title,
  u.description,
  u.status,
  u.owner_id,
  u.created_at,
  u.updated_at,
  1 + u.edits,
  -- Two tasks in five have a due date, up to 60 days after creation (some of the open ones overdue).
  CASE WHEN random() < 0.4
    THEN date_trunc('milliseconds', u.created_at + random() * interval '60 days') END,
  -- Half have no priority, and the more pressing the rarer: 50 / 20 / 15 / 10 / 5 %.
  (ARRAY[0,0,0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,3,3,4])[1 + floor(random() * 20)::int],
  -- Up to three labels, one from each group (so never a repeat, and in order), the first of each more often.
  CASE floor(power(random(), 1.5) * 4)::int
    WHEN 0 THEN '{}'::text[]
    WHEN 1 THEN ARRAY[${pick(LABELS[0], 2.5)}]
    WHEN 2 THEN ARRAY[${pick(LABELS[0], 2.5)}, ${pick(LABELS[1], 2.5)}]
    ELSE ARRAY[${pick(LABELS[0], 2.5)}, ${pick(LABELS[1], 2.5)}, ${pick(LABELS[2], 2.5)}]
  END,
  CASE WHEN u.status = 'done' THEN u.updated_at END
FROM (
  SELECT r.*,
    -- Edited tasks: later than created_at (by up to 60 days, mostly less), never later than now.
    CASE WHEN r.edits = 0 THEN r.created_at
      ELSE date_trunc('milliseconds', least($5::timestamptz, r.created_at + interval '1 millisecond'
        + power(random(), 2) * least(interval '60 days', $5::timestamptz - r.created_at)))
    END AS updated_at
  FROM (
  SELECT g.*,
    CASE g.status
      WHEN 'todo' THEN CASE WHEN random() < 0.7 THEN 0 ELSE 1 + floor(random() * 2)::int END
      WHEN 'in_progress' THEN 1 + floor(random() * 3)::int
      ELSE 1 + floor(power(random(), 2) * 6)::int
    END AS edits
  FROM (
    SELECT
      date_trunc('milliseconds',
        $3::timestamptz + (i - 1 + random()) * $4::float8 * interval '1 microsecond') AS created_at,
      uuid_send(gen_random_uuid()) AS random_bytes,
      ${pick(STATUS_MIX, 1)} AS status,
      ($6::text[])[1 + floor(power(random(), 2) * cardinality($6::text[]))::int] AS owner_id,
      ${pick(VERBS)} || ' ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)}
        || CASE WHEN random() < 0.6 THEN ' for ' || ${pick(AREAS)} ELSE '' END AS title,
      CASE WHEN random() < 0.2 THEN NULL
        ELSE ${pick(OPENINGS, 1)} || ' ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)} || ' '
          || ${pick(PROBLEMS)} || '. ' || ${pick(NEXT_STEPS, 1)}
          || CASE WHEN random() < 0.4 THEN ' ' || ${pick(NEXT_STEPS, 1)} ELSE '' END
          || CASE WHEN random() < 0.3 THEN ' Contact: ' || ${pick(FIRST_NAMES, 1)} || ' ' || ${pick(SURNAMES, 1)} || '.'
             ELSE '' END
      END AS description
    FROM generate_series($1::int, $2::int) AS i
    OFFSET 0
  ) AS g
  OFFSET 0
  ) AS r
  OFFSET 0
) AS u`;
