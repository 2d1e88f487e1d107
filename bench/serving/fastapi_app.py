"""The peer of bench/serving: the FastAPI + scikit-learn model server of the field's teaching
projects. It loads a pickled TF-IDF + MultinomialNB pipeline (bench/serving/train_sklearn.py) at
import time and answers

    POST /predict        {"text": "..."}          -> {"label": ..., "probabilities": {class: p}}
    POST /predict_batch  {"texts": ["...", ...]}  -> {"predictions": [{"label", "probabilities"}, ...]}
    GET  /health                                  -> {"status": "ok"}

Run it the way those projects do, one uvicorn worker:

    SPAM_MODEL_PATH=/tmp/spam-nb.pkl /usr/bin/python3 -m uvicorn fastapi_app:app --workers 1 --port 8000

(from bench/serving, or with --app-dir bench/serving).
"""
import os
import pickle
from typing import Dict, List

from fastapi import FastAPI
from pydantic import BaseModel

MODEL_PATH = os.environ.get('SPAM_MODEL_PATH')
if not MODEL_PATH:
    raise RuntimeError('set SPAM_MODEL_PATH to the pickled pipeline (bench/serving/train_sklearn.py --out ...)')
with open(MODEL_PATH, 'rb') as f:
    model = pickle.load(f)
CLASSES = [str(c) for c in model.classes_]

app = FastAPI(title='Spam classifier', version='1.0')


class PredictRequest(BaseModel):
    text: str


class BatchRequest(BaseModel):
    texts: List[str]


class Prediction(BaseModel):
    label: str
    probabilities: Dict[str, float]


class BatchResponse(BaseModel):
    predictions: List[Prediction]


def to_prediction(row):
    i = int(row.argmax())
    return {'label': CLASSES[i], 'probabilities': dict(zip(CLASSES, row.tolist()))}


@app.get('/health')
def health():
    return {'status': 'ok'}


@app.post('/predict', response_model=Prediction)
def predict(req: PredictRequest):
    proba = model.predict_proba([req.text])
    return to_prediction(proba[0])


@app.post('/predict_batch', response_model=BatchResponse)
def predict_batch(req: BatchRequest):
    proba = model.predict_proba(req.texts)
    return {'predictions': [to_prediction(row) for row in proba]}
