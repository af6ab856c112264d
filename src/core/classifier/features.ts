import { StakesScan } from './stakes';

// Signals of a prompt, extracted in one pass over its lower-cased text: word lists in precomputed hash maps, a few
// character counts, no regular expressions in the hot path. Shared by the rules and the learned strategy.

/** Indices of the rule signals (dense features of the learned model too). */
export enum S {
  Length = 0,
  CodeFence,
  CodeSyntax,
  CodeWords,
  Language,
  Reasoning,
  Proof,
  Math,
  MultiPart,
  Constraints,
  OutputFormat,
  LongForm,
  Creative,
  Factual,
  Chitchat,
  HighStakes,
  Design,
  Debug,
  FewShot,
  ShortQuestion,
  Brief,
  Compare,
  Explain,
  COUNT,
}
export const SIGNAL_COUNT = S.COUNT as number;
export const SIGNAL_NAMES = [
  'length',
  'code-fence',
  'code-syntax',
  'code-words',
  'language',
  'reasoning',
  'proof',
  'math',
  'multi-part',
  'constraints',
  'output-format',
  'long-form',
  'creative',
  'factual',
  'chitchat',
  'high-stakes',
  'design',
  'debug',
  'few-shot',
  'short-question',
  'brief',
  'compare',
  'explain',
];

const W = (s: S, words: string) =>
  words
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [w, s] as const);

// Single words → signal. A word belongs to one signal.
const WORDS = new Map<string, S>([
  ...W(
    S.CodeWords,
    `function functions method class classes variable variables array arrays list lists dict dictionary
    hashmap string strings integer loop loops recursion recursive algorithm algorithms api apis endpoint endpoints
    database query queries sql regex compile compiler runtime async await promise callback thread threads mutex
    refactor refactoring implement implementation snippet script scripts library package module modules unittest
    unit-test tests pytest jest mocha repo git commit merge docker kubernetes dockerfile yaml json-schema schema
    linked tree binary graph bfs dfs dijkstra sort sorting stack queue heap pointer pointers struct enum interface
    generic generics lambda closure iterator decorator component components props hook hooks frontend backend
    webpack vite npm pip cargo cli bash shell command-line microservice microservices orm migration typescript
    codebase deploy deployment pipeline ci cache caching serialize deserialize parse parser tokenizer
    http rest graphql websocket oauth jwt crud leetcode palindrome fibonacci substring subarray print println
    printf console stdout stdin boolean int float char const var def return import`,
  ),
  ...W(
    S.Language,
    `python javascript typescript java c++ cpp c# csharp golang go rust ruby php swift kotlin scala haskell
    perl lua r matlab julia elixir erlang clojure dart sql postgres postgresql mysql sqlite mongodb redis react vue
    angular svelte django flask fastapi express node nodejs numpy pandas pytorch tensorflow spring rails html css
    tailwind jquery nextjs laravel dotnet unity terraform ansible`,
  ),
  ...W(
    S.Reasoning,
    `why reason reasoning analyze analyse analysis evaluate evaluation critique critically assess
    implications justify argue argument infer deduce logic logical strategy strategic tradeoff tradeoffs trade-off
    trade-offs pros cons consequences hypothesis plan optimize optimise optimization optimisation evidence weigh
    implication counterargument rigorous rigorously nuanced scenario scenarios recommend recommendation decide
    think`,
  ),
  ...W(
    S.Proof,
    `prove proof proofs derive derivation theorem lemma induction contradiction rigorous qed corollary
    axiom axioms formally`,
  ),
  ...W(
    S.Math,
    `equation equations integral integrals derivative derivatives calculus algebra matrix matrices
    eigenvalue eigenvalues probability probabilities statistics polynomial polynomials solve sum product
    factorial prime primes divisible modulo logarithm log exponent geometry triangle circle area volume
    percent percentage ratio fraction fractions vector vectors limit limits series sequence converge
    convergence expected variance sqrt integer integers real complex inequality optimize many much cost costs
    total each per remaining profit average combinatorics permutations combinations`,
  ),
  ...W(
    S.Constraints,
    `must should without exactly least most only ensure constraint constraints requirement
    requirements limit handle handles edge cases avoid maximum minimum under within covering including include
    consider considering support supports account`,
  ),
  ...W(
    S.OutputFormat,
    `json table tables csv markdown yaml xml bullet bullets format formatted outline diagram
    chart template`,
  ),
  ...W(
    S.LongForm,
    `detailed comprehensive thorough in-depth depth essay report whitepaper extensive exhaustive
    complete full elaborate long-form thoroughly chapter chapters`,
  ),
  ...W(
    S.Creative,
    `poem poems poetry story stories haiku limerick sonnet lyrics song rap verse fiction fictional
    narrative novel screenplay script's character characters plot tale fairy fable slogan tagline jingle joke
    jokes pun riddle creative imaginative imaginary rewrite rephrase paraphrase tone persuasive toast speech
    metaphor metaphors dialogue monologue scene villain hero protagonist email letter blog essay draft
    compose op-ed memo copywriting brand world-building worldbuilding`,
  ),
  ...W(
    S.Factual,
    `what who when where which capital define definition meaning stand stands invented founded
    population year date located name named largest smallest tallest fastest first`,
  ),
  ...W(
    S.Chitchat,
    `hi hello hey hiya howdy thanks thank thx ty bye goodbye morning evening afternoon lol haha
    cool nice great awesome ok okay sup yo cheers`,
  ),
  ...W(
    S.Design,
    `design architecture architect architectures scalable scalability distributed system systems
    consensus tradeoffs microservices sharding replication throughput latency fault-tolerant concurrency
    concurrent infrastructure scale migrate migration roadmap framework`,
  ),
  ...W(
    S.Debug,
    `debug debugging bug bugs error errors exception exceptions traceback stacktrace crash crashes
    crashing fails failing failure broken fix leak leaks segfault undefined null nullpointerexception
    typeerror valueerror panic deadlock race wrong`,
  ),
  ...W(
    S.Brief,
    `briefly brief quick quickly simple simply one-line one-sentence tl;dr tldr eli5
    summarize summarise summary`,
  ),
  ...W(
    S.Compare,
    `compare comparison versus vs contrast difference differences differ better worse advantages
    disadvantages`,
  ),
  ...W(S.Explain, `explain explanation describe how walk overview`),
]);

// Two-word phrases → signal (looked up only when the first word starts a phrase).
const PHRASES = new Map<string, S>([
  ['step by', S.Reasoning],
  ['by step', S.Reasoning],
  ['trade offs', S.Reasoning],
  ['think through', S.Reasoning],
  ['walk through', S.Reasoning],
  ['root cause', S.Debug],
  ['show that', S.Proof],
  ['prove that', S.Proof],
  ['system design', S.Design],
  ['time complexity', S.CodeWords],
  ['space complexity', S.CodeWords],
  ['big o', S.CodeWords],
  ['how are', S.Chitchat],
  ['are you', S.Chitchat],
  ["what's up", S.Chitchat],
  ['good morning', S.Chitchat],
  ['thank you', S.Chitchat],
  ['short story', S.Creative],
  ['cover letter', S.Creative],
  ['write me', S.Creative],
  ['what is', S.Factual],
  ["what's the", S.Factual],
  ['who is', S.Factual],
  ['who was', S.Factual],
  ['when did', S.Factual],
  ['when was', S.Factual],
  ['where is', S.Factual],
  ['how many', S.Math],
  ['how much', S.Math],
  ['edge cases', S.Constraints],
  ['in depth', S.LongForm],
  ['case study', S.LongForm],
  ['design a', S.Design],
  ['pull request', S.CodeWords],
  ['stack trace', S.Debug],
  ['unit tests', S.CodeWords],
  ["doesn't work", S.Debug],
  ['not working', S.Debug],
  ['should i', S.Reasoning],
  ['what if', S.Reasoning],
  ['in detail', S.LongForm],
  ['at least', S.Constraints],
  ['no more', S.Constraints],
  ['for example', S.Explain],
  ['pros and', S.Reasoning],
]);

/** Words that, opening a short message, mark it as a follow-up to the turns before it. */
const FOLLOW_UP_STARTS = new Set(
  `yes yeah yep yup sure ok okay continue go do now also and same then please more again next proceed exactly
  great perfect right correct no nope instead but what why how that this it keep finish expand elaborate`
    .split(/\s+/)
    .filter(Boolean),
);

export interface Features {
  /** Rule signals; counts (not yet squashed). */
  sig: Float64Array;
  chars: number;
  words: number;
  /** Length that counts: for few-shot prompts, about one exemplar's length. */
  effChars: number;
  questionMarks: number;
  highStakesDomain: string | null;
  followUpCue: boolean;
}

// ---- Precomputed open-addressing table keyed by the 32-bit FNV-1a hash of a word (or of a word pair) ----
// Value bits: 0-7 signal + 1, 12 follow-up starter, 13 phrase starter, 14 "answer", 15 "words",
// 16-20 phrase signal + 1 (pair entries). High-stakes words live in stakes.ts.
const F_FOLLOW = 1 << 12;
const F_PHRASE_START = 1 << 13;
const F_ANSWER = 1 << 14;
const F_WORDS = 1 << 15;
const TBITS = 13;
const TSIZE = 1 << TBITS;
const TMASK = TSIZE - 1;
const tKeys = new Uint32Array(TSIZE);
const tVals = new Int32Array(TSIZE);
const tUsed = new Uint8Array(TSIZE);

export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
export const pairHash = (a: number, b: number) => (Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b) >>> 0;

function slot(h: number): number {
  let i = (h ^ (h >>> 15)) & TMASK;
  while (tUsed[i] && tKeys[i] !== h) i = (i + 1) & TMASK;
  return i;
}
function orVal(h: number, bits: number) {
  const i = slot(h);
  if (!tUsed[i]) {
    tUsed[i] = 1;
    tKeys[i] = h;
    tVals[i] = 0;
  }
  tVals[i] |= bits;
}
function lookup(h: number): number {
  let i = (h ^ (h >>> 15)) & TMASK;
  while (tUsed[i]) {
    if (tKeys[i] === h) return tVals[i];
    i = (i + 1) & TMASK;
  }
  return 0;
}
for (const [w, sg] of WORDS) orVal(fnv(w), sg + 1);
for (const w of FOLLOW_UP_STARTS) orVal(fnv(w), F_FOLLOW);
orVal(fnv('answer'), F_ANSWER);
orVal(fnv('words'), F_WORDS);
for (const [p, sg] of PHRASES) {
  const [a, b] = p.split(' ');
  orVal(fnv(a), F_PHRASE_START);
  orVal(pairHash(fnv(a), fnv(b)), (sg + 1) << 16);
}

/** Characters scanned at the head and the tail of a long prompt. */
export const SCAN_HEAD = 1600;
export const SCAN_TAIL = 800;

const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 39 || c === 45 || c === 43 || c === 35 || c > 127;

/**
 * One pass over the text. `extraStakes` are user terms (lower-case) checked with a substring search.
 * If `hash` is given, it is called with the FNV-1a hash of every word and word bigram (the learned model's features).
 * `lowered` says the text is already lower-case.
 */
export function extract(
  text: string,
  extraStakes: readonly string[] = [],
  hash?: (h: number) => void,
  lowered = false,
): Features {
  const sig = new Float64Array(SIGNAL_COUNT);
  const whole = lowered ? text : text.toLowerCase();
  const full = whole.length;
  // Very long prompts: the signals come from the head and the tail (the middle is mostly pasted material).
  const lower = full > SCAN_HEAD + SCAN_TAIL ? `${whole.slice(0, SCAN_HEAD)}\n${whole.slice(full - SCAN_TAIL)}` : whole;
  const n = lower.length;
  const grow = full / n;
  let words = 0;
  let questionMarks = 0;
  let fences = 0;
  let syntax = 0;
  let newlines = 0;
  let digits = 0;
  let mathOps = 0;
  let answerCues = 0;
  let choiceLines = 0;
  let numberedLines = 0;
  const stakes = new StakesScan();
  let prevVal = 0;
  let prevHash = 0;
  let prevNum = -1;
  let followUp = false;
  let lineStart = true;
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127) {
      // a word: [a-z0-9'+#-]+ (apostrophe and hyphen inside only)
      let j = i + 1;
      while (j < n && isWordChar(lower.charCodeAt(j))) j++;
      let end = j;
      while (end > i + 1 && (lower.charCodeAt(end - 1) === 39 || lower.charCodeAt(end - 1) === 45)) end--;
      let h = 0x811c9dc5;
      let lead = 0;
      let leadDigits = 0;
      let allDigits = true;
      for (let k = i; k < end; k++) {
        const d = lower.charCodeAt(k);
        h = Math.imul(h ^ d, 0x01000193);
        if (allDigits && d >= 48 && d <= 57) {
          lead = lead * 10 + (d - 48);
          leadDigits++;
        } else allDigits = false;
      }
      h >>>= 0;
      // "1,500" → 1500; "600-word" / "2,000-word" → a long-form request
      if (leadDigits === 3 && prevNum >= 0 && i > 0 && lower.charCodeAt(i - 1) === 44) lead += prevNum * 1000;
      const num = leadDigits > 0 && allDigits ? lead : -1;
      if (
        leadDigits > 0 &&
        !allDigits &&
        lead >= 250 &&
        end - i > leadDigits + 4 &&
        lower.startsWith('-word', i + leadDigits)
      )
        sig[S.LongForm] += 2;
      words++;
      if (lineStart) {
        // "A)" / "1." at the start of a line
        const nx = lower.charCodeAt(end);
        if (end - i <= 2 && (nx === 41 || nx === 46)) {
          if (c >= 97 && c <= 101 && end - i === 1) choiceLines++;
          else if (c >= 48 && c <= 57) numberedLines++;
        }
      }
      lineStart = false;
      if (num >= 0) digits++;
      const v = lookup(h);
      if (v !== 0) {
        if (words === 1 && v & F_FOLLOW) followUp = true;
        const sg = v & 255;
        if (sg) sig[sg - 1] += 1;
        if (v & F_ANSWER && lower.charCodeAt(end) === 58) answerCues++;
        if (v & F_WORDS && prevNum >= 250) sig[S.LongForm] += 2;
      }
      if (prevVal & F_PHRASE_START) {
        const pv = lookup(pairHash(prevHash, h));
        const ps = (pv >> 16) & 31;
        if (ps) sig[ps - 1] += 1;
      }
      stakes.word(h, prevHash);
      if (hash) {
        hash(h);
        if (prevHash !== 0) hash(pairHash(prevHash, h));
      }
      prevVal = v;
      prevNum = num;
      prevHash = h;
      i = j;
      continue;
    }
    switch (c) {
      case 10: // \n
        newlines++;
        lineStart = true;
        break;
      case 63: // ?
        questionMarks++;
        break;
      case 96: // `
        if (lower.charCodeAt(i + 1) === 96 && lower.charCodeAt(i + 2) === 96) {
          fences++;
          i += 3;
          continue;
        }
        syntax += 0.5;
        break;
      case 123:
      case 125:
      case 59:
      case 91:
      case 93:
      case 61:
      case 60:
      case 62:
      case 95:
      case 36:
      case 124:
      case 92:
        // { } ; [ ] = < > _ $ | \
        syntax++;
        break;
      case 40: // (  — "f(x" / "print(" count as code or maths
        if (i > 0 && lower.charCodeAt(i - 1) > 96 && lower.charCodeAt(i - 1) < 123) syntax += 0.5;
        break;
      case 43:
      case 42:
      case 47:
      case 94:
      case 37: // + * / ^ %
        mathOps++;
        break;
    }
    if (c !== 10 && c !== 32 && c !== 9 && c !== 13) lineStart = false;
    i++;
  }
  const domain: string | null = stakes.result(sig[S.CodeWords] + sig[S.Language] + fences, whole, extraStakes);
  answerCues = Math.round(answerCues * grow);
  choiceLines = Math.round(choiceLines * grow);

  const chars = full;
  // Few-shot prompts (several "Answer:" lines or many multiple-choice blocks) are long but not hard: count one block.
  const blocks = Math.max(answerCues, Math.floor(choiceLines / 4));
  const fewShot = blocks >= 2;
  const effChars = fewShot ? chars / blocks : chars;
  sig[S.Length] = Math.log2(1 + effChars / 40);
  sig[S.CodeFence] = fences / 2;
  sig[S.CodeSyntax] = Math.min(20, (syntax * 40) / Math.max(40, n)) + (syntax > 6 ? 1 : 0);
  sig[S.Math] += Math.min(3, digits / 4) + Math.min(2, mathOps / 3);
  sig[S.MultiPart] = Math.max(0, questionMarks - 1) + numberedLines * 0.5 + (newlines > 3 && !fewShot ? 0.5 : 0);
  sig[S.FewShot] = fewShot ? 1 : choiceLines >= 2 ? 0.5 : 0;
  sig[S.ShortQuestion] = questionMarks > 0 && words <= 12 ? 1 : 0;
  sig[S.HighStakes] = domain ? 1 : 0;
  return {
    sig,
    chars,
    words,
    effChars,
    questionMarks,
    highStakesDomain: domain,
    followUpCue: words <= 12 && followUp,
  };
}

/** Squash a count into [0, 1). */
export const sat = (x: number, k = 1) => 1 - Math.exp(-x / k);
