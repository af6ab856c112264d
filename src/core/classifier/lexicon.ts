// The words and two-word phrases that count towards a signal, and the words that open a follow-up. features.ts
// puts them in a hash table when it loads.
import { S } from './signals';

const W = (s: S, words: string) =>
  words
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [w, s] as const);

// Single words → signal. A word belongs to one signal.
export const WORDS = new Map<string, S>([
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
export const PHRASES = new Map<string, S>([
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
export const FOLLOW_UP_STARTS = new Set(
  `yes yeah yep yup sure ok okay continue go do now also and same then please more again next proceed exactly
  great perfect right correct no nope instead but what why how that this it keep finish expand elaborate`
    .split(/\s+/)
    .filter(Boolean),
);
