/**
 * Preprocessing transformers with scikit-learn 1.2's maths and defaults: imputing, scaling,
 * categorical encoding and derived features. All accept a Matrix, rows of values or a Table.
 *
 * @packageDocumentation
 */
export { StandardScaler, MinMaxScaler } from './scalers.js';
export type { StandardScalerParams, MinMaxScalerParams } from './scalers.js';
export { SimpleImputer } from './imputer.js';
export type { SimpleImputerParams } from './imputer.js';
export { OneHotEncoder, OrdinalEncoder } from './encoders.js';
export type { OneHotEncoderParams, OrdinalEncoderParams, Category, CategoriesOption } from './encoders.js';
export { FunctionTransformer, columnRatios, dateParts } from './function-transformer.js';
export type { FunctionTransformerParams, TransformFunction, FeatureNamesOutFunction, ColumnRatiosArgs, DatePart, DatePartsArgs } from './function-transformer.js';
