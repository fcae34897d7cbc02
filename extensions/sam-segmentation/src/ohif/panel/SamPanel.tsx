/**
 * The SAM tool panel (right side of the SAM mode). Rendered by the extension's own React root
 * (see mountInHost.tsx), so it uses plain elements and the viewer's CSS variables only.
 */
import { useEffect, useState } from 'react';
import { SamService, type SamState } from '../SamService';
import { RuntimeStatusView } from './RuntimeStatusView';
import { ModelStatusView } from './ModelStatusView';
import { PreEncodingView } from './PreEncodingView';
import { ModelChoiceView } from './ModelChoiceView';
import { BackendChoiceView } from './BackendChoiceView';
import { SegmentSessionView } from './SegmentSessionView';
import { SegStoreView } from './SegStoreView';
import { PropagationView } from './PropagationView';
import { SegmentTargetView } from './SegmentTargetView';

export interface SamPanelProps {
  samService: SamService;
}

export function SamPanel({ samService }: SamPanelProps) {
  const [state, setState] = useState<SamState>(samService.getState());
  useEffect(() => samService.subscribe(SamService.EVENTS.STATE_CHANGED, setState).unsubscribe, [samService]);

  return (
    <div data-testid="sam-panel" style={{ padding: 12, color: '#d7e0ef', fontSize: 13, lineHeight: 1.5 }}>
      <h2 style={{ fontSize: 15, fontWeight: 600, margin: '0 0 8px', color: '#5acce6' }}>Segment Anything</h2>
      <RuntimeStatusView status={state.runtime} onRetry={() => void samService.startRuntime(state.backendPreference)} />
      <BackendChoiceView
        preference={state.backendPreference}
        onChange={(p) =>
          void samService.startRuntime(p, state.model.state === 'ready' ? state.model.model.id : undefined)
        }
      />
      <ModelChoiceView
        models={state.models}
        selected={
          state.model.state === 'ready'
            ? state.model.model.id
            : state.model.state === 'loading'
              ? (state.model.modelId ?? state.defaultModel)
              : state.defaultModel
        }
        backend={state.runtime.state === 'ready' ? state.runtime.report.backend : undefined}
        onSelect={(id) => void samService.selectModel(id)}
      />
      <ModelStatusView status={state.model} onRetry={() => void samService.startRuntime(state.backendPreference)} />
      {state.model.state === 'ready' && (
        <SegmentSessionView
          view={state.segment}
          lastAccept={state.lastAccept}
          onChoose={(index) => void samService.chooseCandidate(index)}
          onReject={() => samService.rejectPreview()}
          onAccept={() => void samService.acceptPreview()}
        />
      )}
      {state.model.state === 'ready' && (
        <SegmentTargetView
          view={state.segmentTarget}
          error={state.segmentTargetError}
          onTypeChange={(typeId) => samService.setSegmentType(typeId)}
          // The view shows a failure (segmentTargetError); the promises say whether the change was made.
          onNewSegment={(label, color) =>
            samService.newSegment({ label, ...(color && { color }) }).then(
              () => true,
              () => false,
            )
          }
          onEditSegment={(label, color) =>
            samService.editSegment({ label, ...(color && { color }) }).then(
              () => true,
              () => false,
            )
          }
        />
      )}
      {state.model.state === 'ready' && (
        <PropagationView
          request={state.propagationRequest}
          status={state.propagation}
          onChange={(request) => samService.setPropagationRequest(request)}
          onPropagate={() => void samService.propagate()}
          onStop={(keep) => samService.stopPropagation(keep)}
        />
      )}
      {(state.lastAccept || state.segStore || state.segmentTarget?.target.exists) && (
        <SegStoreView
          status={state.segStore}
          unavailable={state.segStoreUnavailable}
          defaultCreator={state.segSettings.contentCreatorName}
          onStore={(choice) => void samService.storeSeg(choice).catch(() => undefined)} // the view shows the error
          onDownload={(choice) => void samService.downloadSeg(choice).catch(() => undefined)}
        />
      )}
      {state.model.state === 'ready' && (
        <label style={{ display: 'block', margin: '8px 0' }}>
          <input
            type="checkbox"
            data-testid="sam-use-measurements"
            checked={state.measurementsAsPrompts ?? false}
            onChange={(e) => void samService.useMeasurementsAsPrompts(e.target.checked)}
          />{' '}
          Use the measurements on this image as prompts (rectangle, ellipse, length → box; probe, arrow → point)
        </label>
      )}
      {state.model.state === 'ready' && <PreEncodingView progress={state.preEncoding} />}
    </div>
  );
}
