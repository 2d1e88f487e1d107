/**
 * Text feature extraction with scikit-learn 1.2 parity: CountVectorizer, TfidfTransformer,
 * TfidfVectorizer, HashingVectorizer, and the text helpers they use.
 *
 * @packageDocumentation
 */
export { CountVectorizer } from './count-vectorizer.js';
export type { CountVectorizerParams, DfBound, DocVectorizer, DocWeights } from './count-vectorizer.js';
export type { DocReader } from './word-engine.js';
export { TfidfTransformer, TfidfVectorizer } from './tfidf.js';
export type { TfidfTransformerParams, TfidfVectorizerParams, TfidfNorm } from './tfidf.js';
export { HashingVectorizer } from './hashing-vectorizer.js';
export type { HashingVectorizerParams } from './hashing-vectorizer.js';
export { ENGLISH_STOP_WORDS } from './stop-words.js';
export { stripAccentsAscii, stripAccentsUnicode, stripTags, stripHtml } from './text-analysis.js';
export type { AnalyzerParams, Preprocessor, Tokenizer } from './text-analysis.js';
export { compilePythonPattern, pythonFindall } from './python-regex.js';
export type { PythonPattern } from './python-regex.js';
