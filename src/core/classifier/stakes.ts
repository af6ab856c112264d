// High-stakes detection from words in context, fed one word at a time by the extractor's single pass (features.ts).
// Unambiguous words and phrases count alone ("last will", "hipaa", "overdose"); ambiguous words ("court", "stock",
// "dose") count only together with a second cue of the same domain or a personal cue ("my", "should i"); some words
// count only after a determiner ("my will", "a will", not "what will"). Programming context (code words, a fence)
// lowers ambiguous hits in every domain but security, where code is the normal context and an exposure cue ("production", "leaked")
// is needed beside the asset ("token", "password"). All tables are hash maps built once; no regular expressions.

export const STAKES_DOMAINS = ['medical', 'legal', 'financial', 'security', 'compliance', 'custom'] as const;
export type StakesDomain = (typeof STAKES_DOMAINS)[number];

const K_STRONG = 1,
  K_WEAK = 2,
  K_ASSET = 3,
  K_EXPOSE = 4,
  K_PERSONAL = 5,
  K_TECH = 6;
// entry = kind | domain << 4 | needsPrev << 8 (1: a determiner before it, 2: "a/had" before it, 3: a subject before it)
const DET = 1,
  DET_A = 2,
  SUBJ = 3;

/** FNV-1a of a word, the same hash the extractor computes for each word. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const pair = (a: number, b: number) => (Math.imul(a ^ 0x5bd1e995, 0x01000193) ^ b) >>> 0;

const WORD = new Map<number, number>();
const PAIR = new Map<number, number>();
const PAIR_START = new Set<number>();
const PREV = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
const dom = (d: string) => STAKES_DOMAINS.indexOf(d as StakesDomain);
const each = (s: string) => s.split(/\s+/).filter(Boolean);
function words(kind: number, d: string, list: string, needs = 0) {
  for (const w of each(list)) WORD.set(fnv(w), kind | (Math.max(0, dom(d)) << 4) | (needs << 8));
}
function pairs(kind: number, d: string, list: string) {
  for (const p of list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [a, b] = p.split(' ');
    PAIR_START.add(fnv(a));
    PAIR.set(pair(fnv(a), fnv(b)), kind | (Math.max(0, dom(d)) << 4));
  }
}
for (const w of each(`my a his her their your our mother's father's last living new`)) PREV[DET].add(fnv(w));
for (const w of each('a had having mini')) PREV[DET_A].add(fnv(w));
for (const w of each('i we you they to can and should')) PREV[SUBJ].add(fnv(w));

words(
  K_STRONG,
  'legal',
  `lawsuit lawsuits lawyer attorney probate custody divorce evict eviction evicted subpoena
  plaintiff litigation felony misdemeanor non-compete desist sued dui arrested testament`,
);
words(K_STRONG, 'legal', 'will', DET);
words(K_STRONG, 'legal', 'sue', SUBJ);
words(
  K_WEAK,
  'legal',
  `legal illegal legally court contract lease landlord tenant liable liability copyright
  infringement enforceable rights employer agreement clause executor inherits shareholder paycheck rent deposit`,
);
words(
  K_STRONG,
  'medical',
  `overdose chemotherapy meningitis concussion seizure ibuprofen acetaminophen paracetamol
  amoxicillin warfarin sertraline metformin tramadol opioid antidepressants antibiotics lyme slurring dosage 911`,
);
words(K_WEAK, 'medical', 'stroke', DET_A);
words(
  K_WEAK,
  'medical',
  `dose doses insulin cancer mole symptoms symptom fever pregnant bleed bleeding lump breast
  vomiting dehydrated prescribed doctor blood toddler baby swallowed potassium creatinine extraction medication
  migraine tumor tumour diabetes disease`,
);
words(
  K_WEAK,
  'financial',
  `invest investing savings retire retirement stock stocks loan loans debt credit tax taxes
  irs pension ira 401k mortgage refinance annuity brokerage bankruptcy bitcoin crypto bonds ipo inherited deduct
  portfolio`,
);
words(K_STRONG, 'financial', 'co-sign');
words(
  K_STRONG,
  'security',
  `cve ransomware phishing malware breach breached compromised vulnerability vulnerabilities
  vulnerable attackers brute-forcing hacked`,
);
words(
  K_ASSET,
  'security',
  `secret secrets key credentials credential password passwords token tokens session sessions
  auth oauth jwt login logins root admin bucket`,
);
words(
  K_EXPOSE,
  'security',
  `production customers customer exposed leaked leakage public publicly pushed accidentally
  stolen unsalted`,
);
words(
  K_STRONG,
  'compliance',
  `hipaa gdpr ccpa coppa soc2 pci pci-dss kyc aml anti-money-laundering schrems baa
  eprivacy cfr iso27001`,
);
words(K_WEAK, 'compliance', 'compliance compliant sox fda iso regulatory auditor');
words(K_PERSONAL, '', `my i'm i've am our we're mine`);
words(
  K_TECH,
  '',
  `test tests app demo component shader uniform variable game unity player players build readme page site
  responsive code service script function class api object interface json regex`,
);
pairs(K_STRONG, 'legal', 'cease and, small claims');
pairs(K_STRONG, 'medical', 'chest pain, blood sugar, blood thinner');
pairs(K_WEAK, 'medical', 'side effects');
pairs(K_STRONG, 'financial', 'index fund, margin call, emergency fund, life savings, financial advisor');
pairs(K_WEAK, 'financial', 'capital gains, stock options');
pairs(
  K_STRONG,
  'security',
  `privilege escalation, code execution, path traversal, credential stuffing, incident response,
  data breach, security risk, other users, penetration test`,
);
pairs(K_WEAK, 'security', 'sql injection');
pairs(K_STRONG, 'compliance', 'soc 2, iso 27001, protected health, personal data');
pairs(K_PERSONAL, '', 'should i, can i, can my, should we');

/** Per-prompt state of the scan; one per extract() call. */
export class StakesScan {
  private strong = new Float64Array(STAKES_DOMAINS.length);
  private weak = new Float64Array(STAKES_DOMAINS.length);
  private asset = 0;
  private expose = 0;
  private personal = false;
  private tech = 0;

  /** One word (its FNV-1a hash) and the word before it (0 at the start). */
  word(h: number, prev: number): void {
    const v = WORD.get(h);
    if (v !== undefined) this.add(v, prev);
    if (prev !== 0 && PAIR_START.has(prev)) {
      const p = PAIR.get(pair(prev, h));
      if (p !== undefined) this.add(p, 0);
    }
  }

  private add(v: number, prev: number): void {
    const needs = v >> 8;
    if (needs && !PREV[needs].has(prev)) return;
    const d = (v >> 4) & 15;
    switch (v & 15) {
      case K_STRONG:
        this.strong[d]++;
        break;
      case K_WEAK:
        this.weak[d]++;
        break;
      case K_ASSET:
        this.asset++;
        break;
      case K_EXPOSE:
        this.expose++;
        break;
      case K_PERSONAL:
        this.personal = true;
        break;
      case K_TECH:
        this.tech++;
        break;
    }
  }

  /**
   * The domain, or null. `codeCues` = the extractor's programming signals (code words, languages, fences);
   * `extra` = the user's own terms (lower-case), matched as substrings of `whole` → domain 'custom'.
   */
  result(codeCues: number, whole: string, extra: readonly string[]): StakesDomain | null {
    const code = codeCues + this.tech > 0;
    let best = -1;
    let bestScore = 1.5;
    for (let d = 0; d < 5; d++) {
      let s: number;
      if (STAKES_DOMAINS[d] === 'security')
        s = 2 * this.strong[d] + Math.min(1, this.asset) + Math.min(1, this.expose) + Math.min(1, this.weak[d]);
      else {
        s = 2 * this.strong[d] + this.weak[d];
        if (this.strong[d] === 0 && this.weak[d] > 0) s += code ? -1 : this.personal ? 1 : 0;
      }
      if (s > bestScore) {
        best = d;
        bestScore = s;
      }
    }
    if (best >= 0) return STAKES_DOMAINS[best];
    for (const t of extra) if (t && whole.includes(t)) return 'custom';
    return null;
  }
}
