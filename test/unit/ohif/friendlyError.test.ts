import { friendlyError } from '../../../extensions/sam-segmentation/src/ohif/segment/friendlyError';

describe('friendlyError', () => {
  it('says what to do when the model runs out of memory, keeping the runtime’s words', () => {
    const message = friendlyError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'));
    expect(message).toMatch(/ran out of memory.*smaller model \(SlimSAM or MobileSAM\)/);
    expect(message).toMatch(/std::bad_alloc/);
  });

  it('says to reload when the worker stopped', () => {
    expect(friendlyError(new Error('SAM inference worker failed: could not be loaded'))).toMatch(/reload the page/);
  });

  it('gives any other failure with the way out (Esc)', () => {
    expect(friendlyError('Decoder output "masks" is missing')).toBe(
      'Segmentation failed: Decoder output "masks" is missing Press Esc to clear the prompt, then try again.',
    );
  });

  it('passes messages that already say what to do unchanged', () => {
    const error = new Error('No model is loaded yet: wait for the panel to say the model is ready.');
    error.name = 'ModelNotReadyError';
    expect(friendlyError(error)).toBe(error.message);
  });
});
