// Structure of a prompt that says how hard it is within its kind, whatever the subject: how long, how many
// quantities and sentences, how much notation, how many options, negations, rare-looking words. Measured in one
// pass over the same head-and-tail window the signals use, no regular expressions. These are the inputs of the
// difficulty ranker (ranker.ts), trained on which prompts many models fail in other task families.
import { SCAN_HEAD, SCAN_TAIL, fnv } from './features';

export const STRUCT_NAMES = [
  'log-chars',
  'log-words',
  'word-length',
  'numbers',
  'long-numbers',
  'sentences',
  'questions',
  'operators',
  'notation',
  'lines',
  'code-chars',
  'option-lines',
  'negations',
  'capitalised',
  'long-word-share',
  'long-words',
] as const;
export const STRUCT_COUNT = STRUCT_NAMES.length;

const NEGATIONS = new Set(
  [
    'not',
    'no',
    'never',
    'except',
    'false',
    'incorrect',
    'cannot',
    'least',
    'neither',
    'nor',
    "isn't",
    "doesn't",
    "don't",
  ].map(fnv),
);

const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isDigit = (c: number) => c >= 48 && c <= 57;

interface Counts {
  words: number;
  letters: number;
  numbers: number;
  longNumbers: number;
  sentences: number;
  questions: number;
  operators: number;
  notation: number;
  lines: number;
  code: number;
  options: number;
  negations: number;
  caps: number;
  longWords: number;
}

function countPunct(c: number, k: Counts) {
  switch (c) {
    case 63:
      k.questions++;
      k.sentences++;
      break; // ?
    case 33:
      k.sentences++;
      break; // !
    case 43:
    case 45:
    case 42:
    case 47:
    case 61:
    case 60:
    case 62:
    case 37:
      k.operators++;
      break; // + - * / = < > %
    case 92:
    case 94:
    case 36:
    case 95:
      k.notation++;
      break; // \ ^ $ _
    case 123:
    case 125:
    case 59:
    case 40:
    case 41:
    case 91:
    case 93:
      k.code++;
      break; // { } ; ( ) [ ]
  }
}

/** "A)", "(b)", "C." or "D:" opening a line: an answer option. */
function optionAt(t: string, i: number): boolean {
  let j = i;
  if (t.charCodeAt(j) === 40) j++;
  const c = t.charCodeAt(j) | 32;
  if (c < 97 || c > 101) return false;
  const nx = t.charCodeAt(j + 1);
  return (nx === 41 || nx === 46 || nx === 58) && t.charCodeAt(j + 2) === 32;
}

function scan(t: string, k: Counts) {
  const n = t.length;
  let i = 0;
  let lineStart = true;
  let afterStop = true;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (lineStart && c !== 32 && c !== 9) {
      if (optionAt(t, i)) k.options++;
      lineStart = false;
    }
    if (isLower(c) || isUpper(c)) {
      let j = i;
      let h = 0x811c9dc5;
      while (j < n) {
        let d = t.charCodeAt(j);
        if (!(isLower(d) || isUpper(d) || d === 39)) break;
        if (isUpper(d)) d += 32;
        h = Math.imul(h ^ d, 0x01000193);
        j++;
      }
      const len = j - i;
      k.words++;
      k.letters += len;
      if (len >= 9) k.longWords++;
      if (isUpper(c) && !afterStop && len > 1) k.caps++;
      if (len <= 7 && NEGATIONS.has(h >>> 0)) k.negations++;
      afterStop = false;
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (
        j < n &&
        (isDigit(t.charCodeAt(j)) ||
          ((t.charCodeAt(j) === 46 || t.charCodeAt(j) === 44) && isDigit(t.charCodeAt(j + 1))))
      )
        j++;
      k.numbers++;
      if (j - i >= 3) k.longNumbers++;
      afterStop = false;
      i = j;
      continue;
    }
    if (c === 10) {
      k.lines++;
      lineStart = true;
      afterStop = true;
    } else if (c === 46) {
      const nx = t.charCodeAt(i + 1);
      if (nx === 32 || nx === 10 || i + 1 === n) {
        k.sentences++;
        afterStop = true;
      }
    } else {
      if (c === 63 || c === 33) afterStop = true;
      countPunct(c, k);
    }
    i++;
  }
}

/** The structure of a prompt as STRUCT_COUNT values of similar scale (mostly log counts). */
export function structure(text: string): Float64Array {
  const full = text.length;
  const t = full > SCAN_HEAD + SCAN_TAIL ? `${text.slice(0, SCAN_HEAD)}\n${text.slice(full - SCAN_TAIL)}` : text;
  const grow = full / Math.max(1, t.length);
  const k: Counts = {
    words: 0,
    letters: 0,
    numbers: 0,
    longNumbers: 0,
    sentences: 0,
    questions: 0,
    operators: 0,
    notation: 0,
    lines: 1,
    code: 0,
    options: 0,
    negations: 0,
    caps: 0,
    longWords: 0,
  };
  scan(t, k);
  const L = (x: number) => Math.log1p(x * grow);
  const v = new Float64Array(STRUCT_COUNT);
  v[0] = Math.log1p(full);
  v[1] = L(k.words);
  v[2] = k.words ? k.letters / k.words / 6 : 0;
  v[3] = L(k.numbers);
  v[4] = L(k.longNumbers);
  v[5] = L(k.sentences);
  v[6] = L(k.questions);
  v[7] = L(k.operators);
  v[8] = L(k.notation);
  v[9] = L(k.lines);
  v[10] = L(k.code);
  v[11] = L(k.options);
  v[12] = L(k.negations);
  v[13] = L(k.caps);
  v[14] = k.words ? k.longWords / k.words : 0;
  v[15] = L(k.longWords);
  return v;
}
