/**
 * choicelab inverse RL: exact tabular PQR (the reference), Deep PQR on TensorFlow.js (P, Q and R
 * stages with an anchor action, a learned transition model for the Q stage, a linear projection
 * of the recovered reward onto named features with customer-bootstrap intervals), and the data
 * layer that turns panels into continuous state features.
 */
export * from './tabular';
export * from './data';
export * from './deep';
export * from './transitions';
export * from './cloning';
export * from './compare';
export * from './scenario';
