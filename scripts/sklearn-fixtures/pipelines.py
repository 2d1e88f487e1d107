"""End-to-end parity of the reference text workload on the full built-in corpus.

The split is deterministic (every 5th document is a test document) so that mlship and scikit-learn
see the same 80/20 split without sharing a random generator. Writes
test/fixtures/sklearn/pipelines-spam-assassin.json with, for each pipeline, the test predictions,
probabilities, accuracy and the fitted sizes.
"""
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline

from _common import spam_assassin, write_fixture

texts, labels = spam_assassin()
test_idx = [i for i in range(len(texts)) if i % 5 == 4]
train_idx = [i for i in range(len(texts)) if i % 5 != 4]
x_train = [texts[i] for i in train_idx]
y_train = [labels[i] for i in train_idx]
x_test = [texts[i] for i in test_idx]
y_test = [labels[i] for i in test_idx]

pipelines = {
    'tfidf-mnb': Pipeline([('tfidf', TfidfVectorizer()), ('clf', MultinomialNB())]),
    'tfidf12-logreg': Pipeline([('tfidf', TfidfVectorizer(ngram_range=(1, 2))), ('clf', LogisticRegression())]),
}

out = {'split': 'test = every 5th document (i % 5 == 4)', 'nTrain': len(train_idx), 'nTest': len(test_idx), 'pipelines': {}}
for name, pipe in pipelines.items():
    t0 = time.perf_counter()
    pipe.fit(x_train, y_train)
    fit_s = time.perf_counter() - t0
    pred = pipe.predict(x_test).tolist()
    proba = pipe.predict_proba(x_test)
    spam_col = list(pipe.classes_).index('spam')
    out['pipelines'][name] = {
        'classes': list(pipe.classes_),
        'vocabularySize': len(pipe.named_steps['tfidf'].vocabulary_),
        'predictions': pred,
        'probaSpam': proba[:, spam_col].tolist(),
        'accuracy': accuracy_score(y_test, pred),
        'f1Spam': f1_score(y_test, pred, pos_label='spam'),
        'rocAuc': roc_auc_score([1 if y == 'spam' else 0 for y in y_test], proba[:, spam_col]),
        'nIter': int(pipe.named_steps['clf'].n_iter_[0]) if hasattr(pipe.named_steps['clf'], 'n_iter_') else None,
        'fitSeconds': fit_s,
    }
    print(name, 'accuracy', out['pipelines'][name]['accuracy'], 'fit', round(fit_s, 2), 's')

write_fixture('pipelines-spam-assassin.json', out)
